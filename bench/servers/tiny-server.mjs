// A minimal keep-alive JSON server for the overhead benchmark, run in its own process.
import http from 'node:http';

const body = JSON.stringify({ id: 1, name: 'item' });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
