// Opens (and so migrates) the metadata store named on the command line, as a second gateway process would.
import { openMetadataStore } from '../../src/meta/open.js';

const location = JSON.parse(process.argv[2]) as { url: string; pgSchema?: string };
const store = await openMetadataStore({ dataDir: '.', url: location.url, pgSchema: location.pgSchema, fsync: false });
await store.close();
