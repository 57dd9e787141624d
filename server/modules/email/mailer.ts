import nodemailer from 'nodemailer';
import type { Logger } from '../../lib/logger.js';

export interface EmailMessage {
  organizationId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Not worth sending after this (a sign-in code's email once the code expired). */
  expiresAt?: Date;
  /** The Message-ID header: the same for every attempt at one message. */
  messageId?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: EmailMessage): Promise<void>;
  close?(): Promise<void>;
  /** The email job (durable outbox): sends what is due; how many were sent, failed for good, or put back for a retry. */
  deliverDue?(): Promise<{ sent: number; failed: number; retried: number }>;
  /** Told of each delivery's outcome (metrics). */
  observe?(listener: (result: 'sent' | 'failed') => void): void;
}

/** Sends over SMTP with nodemailer. Logs who and what, never the body (it may hold a code). */
export function smtpMailer(smtpUrl: string, from: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(message) {
      const info = await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        ...(message.messageId ? { messageId: message.messageId } : {}),
      });
      logger.info({ email: { subject: message.subject, messageId: info.messageId } }, 'email sent');
    },
    async close() {
      transport.close();
    },
  };
}
