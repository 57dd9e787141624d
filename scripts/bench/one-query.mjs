// The bench's second floor, the one a read that needs the database is compared with: node:http
// and a pg pool of the server's size (10), one indexed query per request (a customer by primary
// key), the row answered as JSON. Its own process, on the same Postgres as the server.
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const id = process.env.CUSTOMER_ID;
http
  .createServer((_req, res) => {
    pool.query('SELECT id, email, name, locale, created_at FROM customers WHERE id = $1', [id]).then(
      (result) => {
        const body = JSON.stringify(result.rows[0] ?? null);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
