// The bench's first floor: node:http answering a small JSON body, nothing else (its own process).
import http from 'node:http';

const body = '{"hello":"world"}';
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
