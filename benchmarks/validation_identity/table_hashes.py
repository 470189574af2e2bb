"""table_hashes.py DB: sha256 of every table (storage order, Arrow IPC bytes) and its row count."""
import hashlib, sys, duckdb, pyarrow as pa
con = duckdb.connect(sys.argv[1], read_only=True)
for (t,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema='main' ORDER BY 1").fetchall():
    tab = con.sql(f'SELECT * FROM "{t}"').to_arrow_table().combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, tab.schema) as w:
        for b in tab.to_batches(max_chunksize=65536):
            w.write_batch(b)
    print(t, tab.num_rows, tab.schema.types, hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest())
