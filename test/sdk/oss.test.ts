import { describeCommonOperations } from './common-suite.js';

describeCommonOperations('oss');
// A server addressed by IP expects V4 signatures for its own region.
describeCommonOperations('oss', { signature: 'v4', region: 'us-east-1' }, 'oss (signature V4)');
