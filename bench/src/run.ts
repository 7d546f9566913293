import { parameterCount } from '@gruvision/math';

const spec = { timeSteps: 28, features: 28, classes: 10, layers: [{ cell: 'gru' as const, units: 128 }] };
process.stdout.write(`GRU-128 on MNIST rows: ${parameterCount(spec)} parameters\n`);
