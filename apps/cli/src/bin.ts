import { commands } from './commands';
import { run } from './program';
import { endQuietlyOnClosedOutput, processIo } from './ui/io';

endQuietlyOnClosedOutput(process.stdout, (code) => process.exit(code));
process.exitCode = await run(process.argv.slice(2), processIo(), commands);
