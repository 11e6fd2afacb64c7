import { applyD1Migrations, env } from 'cloudflare:test';

// D1 storage is per test file; apply the real migrations before each file runs.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
