'use strict';
// Scores a generated traffic file with the ONNX export of webthreat models in onnxruntime-node and
// checks it against the product: every anomaly_score within 1e-6 of `webthreat score`, and the
// same verdict on every row whose score is more than 1e-6 from the threshold. For each detector
// below: analyze --save-model, score --out (the scored CSV gives the cleaned table's raw columns
// and the product's scores), export-model --onnx, then onnxruntime on those columns.
//
//   node agreement.js WEBTHREAT WORKDIR [ROWS]
//
// Exit status: 0 agreement, 1 disagreement or failure, 77 skipped (onnxruntime-node is absent:
// npm ci --ignore-scripts in this folder).
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const SKIP = 77;
const TOLERANCE = 1e-6;

let ort;
try {
    ort = require('onnxruntime-node');
} catch (error) {
    console.log(`SKIP: onnxruntime-node is not installed in ${__dirname} (run: npm ci --ignore-scripts there): ` +
        String(error.message).split('\n')[0]);
    process.exit(SKIP);
}

const [webthreat, workdir, rowsArg] = process.argv.slice(2);
if (!webthreat || !workdir) {
    console.error('usage: node agreement.js WEBTHREAT WORKDIR [ROWS]');
    process.exit(2);
}
const rows = Number(rowsArg || 10000);

const ALL_FEATURES = ['bytes_in', 'bytes_out', 'session_duration', 'avg_packet_size', 'dst_port_frequency',
    'protocol_frequency', 'response_code_frequency', 'country_frequency', 'src_ip_private', 'source_sessions',
    'source_total_bytes'];
const DETECTORS = [
    { name: 'default', args: [] },
    { name: 'notebook', args: ['--preset', 'notebook'] },
    { name: 'all-features', args: ['--features', ALL_FEATURES.join(',')] },
];

function run(args) {
    return execFileSync(webthreat, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// RFC 4180: quoted fields may hold commas, quotes ("") and line breaks.
function parseCsv(text) {
    const records = [];
    let record = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; ++i) {
        const c = text[i];
        if (quoted) {
            if (c === '"') {
                if (text[i + 1] === '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c === '"') {
            quoted = true;
        } else if (c === ',') {
            record.push(field);
            field = '';
        } else if (c === '\n' || c === '\r') {
            if (c === '\r' && text[i + 1] === '\n')
                ++i;
            record.push(field);
            records.push(record);
            record = [];
            field = '';
        } else {
            field += c;
        }
    }
    if (field !== '' || record.length > 0) {
        record.push(field);
        records.push(record);
    }
    return records;
}

// The graph's inputs from the scored CSV's columns, as docs/onnx-export.md tells a user to make
// them: numbers with NaN for missing, ports and codes with -1, text with "".
function makeFeeds(records, inputNames) {
    const header = records[0];
    const data = records.slice(1);
    const column = (name) => {
        const index = header.indexOf(name);
        if (index < 0)
            throw new Error(`the scored CSV has no column ${name}`);
        return index;
    };
    const cell = (row, index) => row[index];
    const number = (text) => (text === '' ? NaN : Number(text));
    const n = data.length;
    const creation = column('creation_time');
    const end = column('end_time');
    const bytesIn = column('bytes_in');
    const bytesOut = column('bytes_out');
    // The scored CSV writes the engineered columns after the file's own fill of what could not be
    // computed; the graph gets NaN there and gives the training fill, as `score` does.
    const timesMissing = (row) => cell(row, creation) === '' || cell(row, end) === '';
    const feeds = {};
    for (const name of inputNames) {
        if (name === 'dst_port' || name === 'response_code') {
            const index = column(name === 'dst_port' ? 'dst_port' : 'response.code');
            const values = new BigInt64Array(n);
            data.forEach((row, r) => { values[r] = cell(row, index) === '' ? -1n : BigInt(cell(row, index)); });
            feeds[name] = new ort.Tensor('int64', values, [n]);
        } else if (name === 'protocol' || name === 'src_ip_country_code') {
            const index = column(name);
            feeds[name] = new ort.Tensor('string', data.map((row) => cell(row, index)), [n]);
        } else {
            const index = column(name);
            const values = new Float64Array(n);
            data.forEach((row, r) => {
                let missing = false;
                if (name === 'session_duration')
                    missing = timesMissing(row);
                else if (name === 'avg_packet_size')
                    missing = timesMissing(row) || cell(row, bytesIn) === '' || cell(row, bytesOut) === '';
                values[r] = missing ? NaN : number(cell(row, index));
            });
            feeds[name] = new ort.Tensor('float64', values, [n]);
        }
    }
    return { feeds, data, header };
}

async function checkDetector(detector, traffic) {
    const model = path.join(workdir, `${detector.name}.json`);
    const onnx = path.join(workdir, `${detector.name}.onnx`);
    const scored = path.join(workdir, `${detector.name}-scored.csv`);
    run(['analyze', traffic, '--save-model', model, '--force', ...detector.args]);
    run(['score', traffic, '--model', model, '--out', scored, '--force']);
    run(['export-model', model, '--onnx', onnx, '--force']);
    const threshold = JSON.parse(fs.readFileSync(model, 'utf8')).threshold.score;

    const session = await ort.InferenceSession.create(onnx);
    const { feeds, data, header } = makeFeeds(parseCsv(fs.readFileSync(scored, 'utf8')), session.inputNames);
    const started = process.hrtime.bigint();
    const results = await session.run(feeds);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const scoreIndex = header.indexOf('anomaly_score');
    const labelIndex = header.indexOf('anomaly_label');
    const scores = results.anomaly_score.data;
    const verdicts = results.is_suspicious.data;
    let worst = 0;
    let worstRow = -1;
    let compared = 0;
    let nearThreshold = 0;
    const disagreements = [];
    data.forEach((row, r) => {
        const product = Number(row[scoreIndex]);
        const difference = Math.abs(scores[r] - product);
        if (!(difference <= worst)) {
            worst = difference;
            worstRow = r;
        }
        if (Math.abs(product - threshold) <= TOLERANCE) {
            ++nearThreshold;
            return;
        }
        ++compared;
        const productSuspicious = row[labelIndex] === 'Suspicious';
        if (Boolean(verdicts[r]) !== productSuspicious)
            disagreements.push(r);
    });
    const suspicious = verdicts.reduce((count, v) => count + (v ? 1 : 0), 0);
    console.log(`${detector.name}: ${session.inputNames.join(', ')}; ${data.length} rows scored by onnxruntime ` +
        `${ort.env.versions ? ort.env.versions.node : ''} in ${seconds.toFixed(3)} s; largest |score difference| ` +
        `${worst.toExponential(2)} (row ${worstRow + 1}); ${suspicious} suspicious; verdicts compared on ` +
        `${compared} rows (${nearThreshold} within ${TOLERANCE} of the threshold), ${disagreements.length} differ; ` +
        `ONNX file ${fs.statSync(onnx).size} bytes`);
    const failures = [];
    if (!(worst <= TOLERANCE))
        failures.push(`score of row ${worstRow + 1} differs by ${worst} (product ${data[worstRow][scoreIndex]}, ` +
            `onnxruntime ${scores[worstRow]})`);
    if (disagreements.length > 0)
        failures.push(`verdicts differ on rows ${disagreements.slice(0, 10).map((r) => r + 1).join(', ')}`);
    if (data.length !== rows && rows > 0 && data.length === 0)
        failures.push('the scored CSV has no rows');
    return failures.map((failure) => `${detector.name}: ${failure}`);
}

async function main() {
    fs.mkdirSync(workdir, { recursive: true });
    const traffic = path.join(workdir, `traffic-${rows}.csv`);
    run(['generate', '--rows', String(rows), '--seed', '7', '--label', '--out', traffic, '--force']);
    const failures = [];
    for (const detector of DETECTORS)
        failures.push(...await checkDetector(detector, traffic));
    if (failures.length > 0) {
        failures.forEach((failure) => console.error(`FAIL: ${failure}`));
        process.exit(1);
    }
    console.log('onnxruntime agrees with webthreat score on every detector');
}

main().catch((error) => {
    console.error(`FAIL: ${error.stack || error}`);
    process.exit(1);
});
