import { generateSales, MARKET_2026_06 } from './dataset.js';
import { SCHEMA_V2, toTable, splitHoldout } from './features.js';
import { Preprocessor } from './preprocess.js';
import { fitMlp, predictMlp } from './mlp.js';
import { regressionMetrics } from './metrics.js';
const sales = generateSales(MARKET_2026_06, 7000);
const { train, holdout } = splitHoldout(toTable(sales, SCHEMA_V2), 1000);
const pp = Preprocessor.fit(SCHEMA_V2, train.rows);
const cfg = JSON.parse(process.argv[2]!);
for (const seed of [1, 2]) {
  const t0 = Date.now();
  const m = fitMlp(train.rows.map(r=>pp.transform(r)), train.targets, { ...cfg, seed });
  const pred = holdout.rows.map(r => predictMlp(m, pp.transform(r)));
  console.log(JSON.stringify(cfg), seed, Date.now()-t0, 'ms', regressionMetrics(pred, holdout.targets).r2);
}
