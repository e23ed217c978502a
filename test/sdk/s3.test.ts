import { describeCommonOperations } from './common-suite.js';

describeCommonOperations('s3');
describeCommonOperations('s3', { signature: 'v2' }, 's3 (signature V2)');
