// `npm run publish -- --local | --remote | --dry-run`: the command itself is publish-command.ts.
import { publishCommand } from './publish-command';

process.exitCode = await publishCommand(process.argv.slice(2));
