import Database from 'better-sqlite3';

for (const path of ['/tmp/raw' + Date.now() + '.db', '/dev/shm/raw' + Date.now() + '.db', ':memory:']) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table t (k text primary key, v text) without rowid');
  const ins = db.prepare('insert into t values (?, ?)');
  const tx = db.transaction((k, v) => ins.run(k, v));
  const body = 'x'.repeat(1500);
  const N = 5000;
  const t = performance.now();
  for (let i = 0; i < N; i++) tx.immediate('k' + i, body);
  console.log(path, (((performance.now() - t) * 1000) / N).toFixed(1), 'us/tx');
}
