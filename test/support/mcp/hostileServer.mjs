// A misbehaving stdio MCP server, written by hand (no SDK) so it can break the protocol on
// purpose. The mode is the first argument:
//   junk   answers initialize after flooding stdout with lines that are not JSON-RPC;
//   hang   reads everything and never answers, not even initialize;
//   crash  a working server whose tools/call "crash" prints to stderr and exits mid-call;
//          "slow" never answers (for timeouts and cancellation); "echo" answers; "cancelled"
//          lists the request ids the client cancelled so far.
import readline from 'node:readline';

const mode = process.argv[2] ?? 'crash';
const cancelled = [];

function send(message) {
  process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
}

function text(id, value) {
  send({ id, result: { content: [{ type: 'text', text: value }] } });
}

const tools = ['echo', 'slow', 'crash', 'cancelled'].map((name) => ({
  name,
  description: `hostile fixture tool ${name}`,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
}));

process.stderr.write(`hostile server started in mode ${mode}\n`);

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (mode === 'hang') return;
  const message = JSON.parse(line);
  if (message.method === 'initialize') {
    if (mode === 'junk') {
      for (let index = 0; index < 200; index += 1) process.stdout.write(`junk line ${index}\n`);
    }
    send({
      id: message.id,
      result: {
        protocolVersion: message.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: 'hostile', version: '1.0.0' },
      },
    });
  } else if (message.method === 'notifications/cancelled') {
    cancelled.push(message.params.requestId);
  } else if (message.method === 'tools/list') {
    send({ id: message.id, result: { tools } });
  } else if (message.method === 'tools/call') {
    const { name, arguments: args } = message.params;
    if (name === 'echo') text(message.id, `echo: ${args?.text ?? ''}`);
    else if (name === 'cancelled') text(message.id, JSON.stringify(cancelled));
    else if (name === 'crash') {
      process.stderr.write('fatal: hostile server crashed on purpose\n');
      process.exit(3);
    }
    // "slow": no answer, ever.
  } else if (message.id !== undefined && message.method) {
    send({ id: message.id, result: {} });
  }
});
