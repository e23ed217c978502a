import { defineConformance } from './conformance.js';
import { openSqlite } from './stores.js';

defineConformance('SQLite', () => openSqlite());
