import nodemailer from 'nodemailer';
import type { Logger } from '../../lib/logger.js';

export interface EmailMessage {
  organizationId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: EmailMessage): Promise<void>;
  close?(): Promise<void>;
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
      });
      logger.info({ email: { subject: message.subject, messageId: info.messageId } }, 'email sent');
    },
    async close() {
      transport.close();
    },
  };
}
