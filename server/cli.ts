// `customer-portal-server <command>`: start the server, or manage organizations.
//   create-org --slug acme --name "Acme" [--origin https://acme.example ...]
//   create-key --slug acme [--name default]
//   allow-origin --slug acme --origin https://shop.acme.example [--origin …]
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './runtime.js';
import { migrate } from './db/migrate.js';
import { organizationRepository } from './modules/organizations/repository.js';
import { organizationService } from './modules/organizations/service.js';
import { organizationCreate, organizationUpdate } from './modules/organizations/schemas.js';
import { systemClock } from './lib/clock.js';
import { ApiError } from './lib/errors.js';

const USAGE = `Usage:
  customer-portal-server start [--demo]
  customer-portal-server create-org --slug <slug> --name <name> [--origin <https://…>]...
  customer-portal-server create-key --slug <slug> [--name <key name>]
  customer-portal-server allow-origin --slug <slug> --origin <https://…> [--origin <https://…>]...`;

export async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'start') {
    if (rest.includes('--demo')) process.argv.push('--demo');
    await import('./main.js');
    return -1;
  }
  if (command !== 'create-org' && command !== 'create-key' && command !== 'allow-origin') {
    out(USAGE);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { slug: { type: 'string' }, name: { type: 'string' }, origin: { type: 'string', multiple: true } },
  });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      out(error.message);
      return 1;
    }
    throw error;
  }
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const orgs = organizationService(organizationRepository(database.db), systemClock);
    if (command === 'create-org') {
      const parsed = organizationCreate.safeParse({ slug: values.slug, name: values.name, allowed_origins: values.origin ?? [] });
      if (!parsed.success) {
        out(`Invalid arguments:\n${parsed.error.issues.map((i) => `  --${String(i.path[0]).replace('allowed_origins', 'origin')}: ${i.message}`).join('\n')}`);
        return 2;
      }
      const org = await orgs.create(parsed.data);
      const key = await orgs.createSecretKey(org.id);
      out(`Created organization "${org.name}" (${org.slug}, ${org.id}).`);
      out(`Secret key (shown once, store it now): ${key}`);
      out(`Hosted portal: ${config.publicUrl}/${org.slug}/portal`);
      return 0;
    }
    const org = await orgs.bySlug(values.slug ?? '');
    if (command === 'allow-origin') {
      // Adds to the organization's allowed origins (the pages that may embed its portal).
      const parsed = organizationUpdate.safeParse({ allowed_origins: [...org.allowed_origins, ...(values.origin ?? [])] });
      if (!parsed.success || !values.origin?.length) {
        out(
          `Invalid arguments:\n  --origin: ${parsed.success ? 'give at least one origin, like https://shop.example.com' : parsed.error.issues.map((i) => i.message).join('; ')}`,
        );
        return 2;
      }
      const updated = await orgs.update(org, parsed.data);
      out(`Allowed origins of ${updated.slug}: ${updated.allowed_origins.join(', ')}`);
      return 0;
    }
    const key = await orgs.createSecretKey(org.id, values.name ?? 'default');
    out(`Secret key for ${org.slug} (shown once, store it now): ${key}`);
    return 0;
  } catch (error) {
    if (error instanceof ApiError) {
      out(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
