/**
 * JSON request bodies (Content-Type: application/json, every route), parsed
 * as Fastify's own parser does: secure-json-parse, which refuses a
 * `"__proto__"` key or a `"constructor"` object holding a `"prototype"`
 * rather than let either change what the objects read from the body
 * inherit. What differs is the answer: Fastify's parser answers every fault
 * "Body is not valid JSON but content-type is set to 'application/json'" and
 * drops the reason, so a client could not tell a truncated body from a
 * forbidden key. Here the 400 says which, and where JSON.parse stopped
 * (`the body is not valid JSON: Expected ',' or '}' after property value in
 * JSON at position 17`). The body limits stay the routes' and the server's.
 */
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

/** secure-json-parse's message for both forbidden keys (its index.js). */
const FORBIDDEN = 'Object contains forbidden prototype property';

class BodyError extends Error {
  readonly statusCode = 400;
}

/** Replaces the application/json parser of `app` (call before routes are added). */
export function registerJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(new BodyError('the body is empty: send JSON, or no Content-Type: application/json'), undefined);
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const message = (error as Error).message;
      done(
        new BodyError(
          message === FORBIDDEN
            ? 'the body is refused: it holds a "__proto__" key, or a "constructor" object with a "prototype" key, either of which could change what objects inherit'
            : `the body is not valid JSON: ${message}`,
        ),
        undefined,
      );
    }
  });
}
