import { mathEngine } from '@gruvision/math';
import { describeEngineConformance } from './__fixtures__/engine-conformance';

describeEngineConformance('math', async () => mathEngine);
