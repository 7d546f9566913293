import { commands } from './commands';
import { run } from './program';
import { processIo } from './ui/io';

process.exitCode = await run(process.argv.slice(2), processIo(), commands);
