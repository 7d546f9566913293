import { mathEngine } from '@gruvision/math';
import { describeEngineConformance } from './__fixtures__/engine-conformance';
import { resolveEngine } from './engines';

describeEngineConformance('math', async () => mathEngine);
describeEngineConformance('tfjs-cpu', () => resolveEngine('tfjs-cpu'));
