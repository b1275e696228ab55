// Counts results of the HTTP caching test suite as its report shows them, dependencies
// honoured (a test whose dependency did not pass is not run), over the tests every file has:
// `passed` are required and optimal tests passed (the report's green marks, by which it ranks
// caches), `checks yes` the informational checks answered yes; a setup or harness failure
// counts as a failure of its test's kind.
//   node --input-type=module - SUITE MESHD.json OTHER.json... < conformance-count.mjs
import fs from 'fs'
import path from 'path'
import { pathToFileURL } from 'url'

const [suite, ...files] = process.argv.slice(2)
const tests = (await import(pathToFileURL(path.join(suite, 'tests/index.mjs')))).default
const { determineTestResult } = await import(pathToFileURL(path.join(suite, 'test-engine/lib/results.mjs')))
const runs = files.map(file => ({ name: path.basename(file, '.json'), results: JSON.parse(fs.readFileSync(file, 'utf8')) }))
const common = Object.keys(runs[0].results).filter(id => runs.every(run => id in run.results))
const kinds = new Map(tests.flatMap(suite => suite.tests.map(test => [test.id, test.kind || 'required'])))
const columns = ['passed', 'checks yes', 'required failed', 'optimal failed', 'checks no', 'not run']
const rows = runs.map(({ name, results }) => {
  const row = Object.fromEntries([['name', name], ...columns.map(column => [column, 0])])
  for (const id of common) {
    const symbol = determineTestResult(tests, id, results, true)[2]
    const kind = kinds.get(id)
    const column = symbol === '✅' ? 'passed' : symbol === 'Y' ? 'checks yes' : symbol === '⚪️' ? 'not run'
      : kind === 'check' ? 'checks no' : kind === 'optimal' ? 'optimal failed' : 'required failed'
    row[column] += 1
  }
  return row
})
rows.sort((a, b) => b.passed - a.passed)
console.log(`${common.length} tests that every run has`)
console.log(['name', ...columns].join('\t'))
for (const row of rows) console.log([row.name, ...columns.map(column => row[column])].join('\t'))
