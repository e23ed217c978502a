import type http from 'node:http';

/**
 * `Expect: 100-continue`, answered the way S3 does: the interim "100
 * Continue" goes out only when the handler first reads the body, that is
 * once the signature and the checks before the body have passed. A request
 * refused before that (bad or missing signature, no such bucket) gets its
 * final response alone, and the client never sends the body. (Node's
 * default sends 100 the moment the headers arrive.) Such a response closes
 * the connection: the client may or may not send the body it announced, so
 * the next bytes on it cannot be trusted to start a request.
 */
export function continueOnFirstRead(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('connection', 'close');
  const readable = req as unknown as { _read(size: number): void };
  const read = readable._read;
  readable._read = function (this: unknown, size: number) {
    readable._read = read;
    if (!res.headersSent) {
      res.removeHeader('connection');
      res.writeContinue();
    }
    return read.call(this, size);
  };
}
