import { defineConformance } from './conformance.js';
import { defineEngineConformance } from './engine-conformance.js';
import { openSqlite } from './stores.js';

defineConformance('SQLite', () => openSqlite());
defineEngineConformance('SQLite', () => openSqlite());
