// The SQL export run by DuckDB (npm's @duckdb/node-api, which ships DuckDB itself), against the
// product's own scores: `webthreat score FILE --model M --out scored.csv` and
// `webthreat export-model M --sql score.sql --dialect duckdb [--nodes-table forest --nodes-csv nodes.csv]`,
// then
//   node benchmarks/sql_duckdb.mjs FILE score.sql scored.csv [nodes.csv]
// prints the rows, the time DuckDB took, the largest score difference and the verdicts that differ.
// Not run by ctest (CI has no DuckDB); tests/core/model/tst_sqlexport runs the SQLite dialect.
// The CSV is read as text (all_varchar), as sqlite3's .import does; the scored CSV must keep the
// input's rows and order (no duplicates, no rows without addresses).
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'fs';

const [csv, sqlFile, scored, nodes] = process.argv.slice(2);
if (!scored) {
    console.error('usage: node sql_duckdb.mjs FILE score.sql scored.csv [nodes.csv]');
    process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const quoted = (text) => `'${text.replaceAll("'", "''")}'`;
await connection.run(`CREATE TABLE traffic AS SELECT row_number() OVER () AS row_id, *
                      FROM read_csv(${quoted(csv)}, all_varchar = true, header = true)`);
if (nodes)
    await connection.run(`CREATE TABLE forest AS SELECT * FROM read_csv(${quoted(nodes)}, header = true)`);
// The query lists its output columns; row_id is added to them to put the rows back in order.
const query = fs.readFileSync(sqlFile, 'utf8').trim().replace(/;$/, '')
    .replace('SELECT p."bytes_in"', 'SELECT p.row_id, p."bytes_in"');
const started = Date.now();
const rows = (await connection.runAndReadAll(
    `SELECT row_id, anomaly_score, is_suspicious FROM (${query}) ORDER BY row_id`)).getRows();
const milliseconds = Date.now() - started;

// The scored CSV's anomaly_score and anomaly_label, by a CSV reader that knows quotes.
function parseCsv(text) {
    const records = [];
    let record = [], cell = '', quotedCell = false;
    for (let i = 0; i < text.length; ++i) {
        const c = text[i];
        if (quotedCell) {
            if (c === '"' && text[i + 1] === '"') { cell += '"'; ++i; }
            else if (c === '"') quotedCell = false;
            else cell += c;
        } else if (c === '"') quotedCell = true;
        else if (c === ',') { record.push(cell); cell = ''; }
        else if (c === '\n') { record.push(cell); records.push(record); record = []; cell = ''; }
        else if (c !== '\r') cell += c;
    }
    if (cell !== '' || record.length > 0) { record.push(cell); records.push(record); }
    return records;
}
const [header, ...product] = parseCsv(fs.readFileSync(scored, 'utf8'));
const scoreAt = header.indexOf('anomaly_score');
const labelAt = header.indexOf('anomaly_label');
let largest = 0, verdicts = 0;
for (let i = 0; i < Math.min(rows.length, product.length); ++i) {
    largest = Math.max(largest, Math.abs(rows[i][1] - Number(product[i][scoreAt])));
    if (rows[i][2] !== (product[i][labelAt] === 'Suspicious'))
        ++verdicts;
}
console.log(`DuckDB scored ${rows.length} rows (the product ${product.length}) in ${milliseconds} ms: ` +
            `largest difference ${largest}, verdicts that differ ${verdicts}`);
