// `npm start` on a developer machine: the detector with the local stack's endpoints (SASL listener,
// Redis ACL user) filled in where the environment leaves them unset; the detector itself reads only
// its environment.
import { withLocalStack } from './local-stack-env.js';

Object.assign(process.env, withLocalStack(process.env));
await import('../../services/detector/src/server.js');
