// A minimal HTTP/2 (h2c) JSON server for the P7 overhead benchmark, run in its own process.
import http2 from 'node:http2';

const body = JSON.stringify({ id: 1, name: 'item' });
const server = http2.createServer();
server.on('stream', (stream) => {
  stream.on('error', () => undefined);
  stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  stream.end(body);
});
server.on('session', (session) => session.on('error', () => undefined));
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
