// A minimal keep-alive JSON server for the overhead benchmark, run in its own process.
import http from 'node:http';

const body = JSON.stringify({ id: 1, name: 'item' });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
// Longer than a whole round of the other contenders: a socket the server closes as the client reuses it would
// reset a bare axios request (no retries) and end the run.
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
