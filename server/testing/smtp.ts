// A real SMTP server on loopback for tests (smtp-server): what nodemailer sends arrives here.
// `state.refuse` answers every message with a 451 (try again later); `state.hold` takes a
// message's data and never answers it (the sender waits until it gives up or dies).
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtp {
  port: number;
  /** The messages accepted, in order. */
  received: ReceivedMail[];
  state: { refuse: boolean; hold: boolean };
  /** 'received' for each message accepted, 'held' for each message held. */
  events: EventEmitter;
  stop(): Promise<void>;
}

/** Starts one on `port` (0: any free port). */
export async function startSmtp(port = 0): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const state = { refuse: false, hold: false };
  const events = new EventEmitter();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const message = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        if (state.hold) {
          events.emit('held', message);
          return; // never answered
        }
        if (state.refuse) return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        received.push(message);
        events.emit('received', message);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    state,
    events,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
