// The DuckDB side of compare_peers.py: what a data-minded analyst would do in SQL instead of the
// notebook, without any model: read the CSV, drop exact duplicate rows, fill bytes_in's gaps with
// its median, drop rows without an address, and compute the notebook's four features
// (bytes_in, bytes_out, session_duration, avg_packet_size, gaps filled with the mean).
//
//   node benchmarks/peers_duckdb.mjs FILE [--threads N]
//
// Needs npm's @duckdb/node-api (it ships DuckDB itself); compare_peers.py installs it into its own
// cache folder and runs this with WEBTHREAT_NPM_DIR pointing there. The last line of standard output is one
// JSON object: rows read, rows after cleaning, DuckDB's version and the seconds each step took.
import { createRequire } from 'module';
import path from 'path';

// ES modules ignore NODE_PATH: the package is looked up from WEBTHREAT_NPM_DIR (the folder holding
// node_modules) when set, else from this folder as usual.
const base = process.env.WEBTHREAT_NPM_DIR ?? path.dirname(new URL(import.meta.url).pathname);
const { DuckDBInstance } = createRequire(path.join(base, 'package.json'))('@duckdb/node-api');

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const threadsAt = args.indexOf('--threads');
const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : 0;
if (!file) {
    console.error('usage: node peers_duckdb.mjs FILE [--threads N]');
    process.exit(2);
}

const instance = await DuckDBInstance.create(':memory:', threads > 0 ? { threads: String(threads) } : {});
const db = await instance.connect();
const quoted = (text) => `'${text.replaceAll("'", "''")}'`;
const seconds = {};
let last = performance.now();
const lap = (name) => {
    const now = performance.now();
    seconds[name] = Math.round(now - last) / 1000;
    last = now;
};
const scalar = async (sql) => (await db.runAndReadAll(sql)).getRows()[0][0];

// Typed as the notebook's pandas reads it: numbers as numbers, the times parsed (pandas'
// to_datetime is a step of its own there; DuckDB's sniffer does it while reading).
await db.run(`CREATE TABLE raw AS SELECT * FROM read_csv(${quoted(file)}, header = true)`);
const rowsRead = Number(await scalar('SELECT count(*) FROM raw'));
lap('read_csv');

await db.run(`CREATE TABLE dedup AS SELECT DISTINCT * FROM raw`);
await db.run(`DROP TABLE raw`);
await db.run(`CREATE TABLE clean AS
    SELECT * REPLACE (coalesce(bytes_in, (SELECT median(bytes_in) FROM dedup)) AS bytes_in,
                      upper(src_ip_country_code) AS src_ip_country_code)
    FROM dedup WHERE src_ip IS NOT NULL AND dst_ip IS NOT NULL`);
await db.run(`DROP TABLE dedup`);
const rowsKept = Number(await scalar('SELECT count(*) FROM clean'));
lap('clean');

await db.run(`CREATE TABLE shaped AS
    SELECT bytes_in::DOUBLE AS bytes_in, bytes_out::DOUBLE AS bytes_out,
           epoch(end_time) - epoch(creation_time) AS session_duration
    FROM clean`);
await db.run(`CREATE TABLE features AS
    SELECT coalesce(bytes_in, avg(bytes_in) OVER ()) AS bytes_in,
           coalesce(bytes_out, avg(bytes_out) OVER ()) AS bytes_out,
           coalesce(session_duration, avg(session_duration) OVER ()) AS session_duration,
           coalesce(CASE WHEN session_duration = 0 THEN 0
                         ELSE (bytes_in + bytes_out) / session_duration END,
                    avg(CASE WHEN session_duration = 0 THEN 0
                             ELSE (bytes_in + bytes_out) / session_duration END) OVER ()) AS avg_packet_size
    FROM shaped`);
const checksum = Number(await scalar('SELECT sum(avg_packet_size) FROM features'));
lap('features');

const version = await scalar('SELECT version()');
console.log(JSON.stringify({ tool: `DuckDB ${version}`, rows_read: rowsRead, rows: rowsKept,
                             avg_packet_size_sum: checksum, seconds }));
