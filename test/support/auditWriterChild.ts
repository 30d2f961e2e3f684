// A separate process appending to an audit log (for the durability and two-writer tests):
//   node --import tsx test/support/auditWriterChild.ts FILE COUNT TAG
// Prints "ready", then starts writing when a line arrives on stdin (so two writers can be
// started together); COUNT 0 means "until killed".
import { AuditLog } from '../../src-main/audit/auditLog.js';
import { auditSettings } from './auditSettings.js';

const [file, countText, tag] = process.argv.slice(2);
const count = Number(countText);
const log = new AuditLog({
  settings: auditSettings(file!, { maxSizeBytes: 1024 ** 3, maxFiles: 3 }),
});

let written = 0;
function burst(): void {
  // Small bursts, so the lock is released between them and the other writer gets turns.
  for (let i = 0; i < 25 && (count === 0 || written < count); i++) {
    log.append({ kind: 'tool_call', name: 'fs.write', fields: { writer: tag!, n: written } });
    written++;
  }
  if (count === 0 || written < count) setImmediate(burst);
  else log.close();
}
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  process.stdin.pause();
  burst();
});
