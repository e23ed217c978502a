import { describeCommonOperations } from './common-suite.js';

describeCommonOperations('obs');
describeCommonOperations('obs-v2', {}, 'obs (AWS-compatible V2 mode)');
