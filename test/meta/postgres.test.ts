import { test } from 'node:test';
import { defineConformance } from './conformance.js';
import { defineEngineConformance } from './engine-conformance.js';
import { openPostgres, pgUnavailable } from './stores.js';

const unavailable = await pgUnavailable();
if (unavailable) {
  test('metadata store conformance: PostgreSQL', (t) => t.skip(unavailable));
} else {
  defineConformance('PostgreSQL', () => openPostgres());
  defineEngineConformance('PostgreSQL', () => openPostgres());
}
