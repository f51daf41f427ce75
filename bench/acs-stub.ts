// Child process of bench/cwmp-fleet.ts: the smallest ACS a CPE can complete a session with (device-management.md
// §1.2): InformResponse with a session cookie, then 204 + close on the empty POST. Prints its URL, counts informs,
// and answers `GET /count` with the number so far.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const RESPONSE = (id: string): string =>
  `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${id}</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>`;
let informs = 0;
let n = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.end(String(informs));
    return;
  }
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    if (body === '') {
      res.writeHead(204, { Connection: 'close' });
      res.end();
      return;
    }
    informs++;
    const id = /<cwmp:ID[^>]*>([^<]*)</.exec(body)?.[1] ?? '1';
    const text = RESPONSE(id);
    res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'Set-Cookie': `session=${(n++).toString(16).padStart(16, '0')}`, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
