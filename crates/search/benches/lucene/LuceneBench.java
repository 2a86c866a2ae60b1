// Lucene 8 peer of the search benchmark (crates/search/benches/search_peers.rs): indexes the
// same TSV with SmartChineseAnalyzer and runs the same queries the same way as gongkai-search
// (each analysed word must occur in title (boost 3) or body; a query that looks like a 文号 is
// first tried as an exact 文号). Prints JSON lines on stdout that the Rust bench merges.
//
// Usage: java -cp <lucene jars>:<classes> LuceneBench CORPUS.tsv QUERIES.txt INDEX_DIR REPS BUDGET_MS
// TSV columns: id, org, column, year, doc_number, title, body (no tabs or newlines inside).

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

public class LuceneBench {
    static String normalizeCode(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (Character.isWhitespace(c)) return;
            switch (c) {
                case '[': case '［': case '【': case '(': case '（': case '〔': b.append('〔'); break;
                case ']': case '］': case '】': case ')': case '）': case '〕': b.append('〕'); break;
                default: b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    static List<String> terms(Analyzer a, String q) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = a.tokenStream("body", q)) {
            CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                String w = t.toString();
                if (!out.contains(w)) out.add(w);
            }
            ts.end();
        }
        return out;
    }

    static Query build(Analyzer a, IndexSearcher s, String q) throws IOException {
        String code = normalizeCode(q);
        boolean looksLikeCode = code.indexOf('〔') >= 0 || code.chars().anyMatch(Character::isDigit);
        if (looksLikeCode) {
            Query exact = new TermQuery(new Term("doc_number", code));
            if (s.count(exact) > 0) return exact;
        }
        List<String> ts = terms(a, q);
        if (ts.isEmpty()) return new MatchNoDocsQuery();
        BooleanQuery.Builder must = new BooleanQuery.Builder();
        for (String t : ts) {
            BooleanQuery.Builder any = new BooleanQuery.Builder();
            any.add(new BoostQuery(new TermQuery(new Term("title", t)), 3.0f), BooleanClause.Occur.SHOULD);
            any.add(new TermQuery(new Term("body", t)), BooleanClause.Occur.SHOULD);
            must.add(any.build(), BooleanClause.Occur.MUST);
        }
        return must.build();
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.append('"').toString();
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Paths.get(args[0]);
        List<String> queries = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
        Path dir = Paths.get(args[2]);
        int reps = Integer.parseInt(args[3]);
        long budgetNs = Long.parseLong(args[4]) * 1_000_000L;
        Analyzer analyzer = new SmartChineseAnalyzer();

        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long n = 0;
        try (FSDirectory fs = FSDirectory.open(dir);
             BufferedReader r = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
            cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
            cfg.setRAMBufferSizeMB(50); // as gongkai-search's 50 MB writer heap, one thread
            try (IndexWriter w = new IndexWriter(fs, cfg)) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] c = line.split("\t", -1);
                    Document d = new Document();
                    long id = Long.parseLong(c[0]);
                    d.add(new LongPoint("id", id));
                    d.add(new StoredField("id", id));
                    d.add(new StringField("org", c[1], Field.Store.NO));
                    d.add(new StringField("column", c[2], Field.Store.NO));
                    d.add(new StringField("year", c[3], Field.Store.NO));
                    d.add(new StringField("doc_number", normalizeCode(c[4]), Field.Store.YES));
                    d.add(new TextField("title", c[5], Field.Store.YES));
                    d.add(new TextField("body", c[6], Field.Store.YES));
                    w.addDocument(d);
                    n++;
                }
                w.commit();
            }
        }
        double indexSecs = (System.nanoTime() - t0) / 1e9;
        double cpuSecs = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.println("{\"kind\":\"index\",\"items\":" + n + ",\"secs\":" + indexSecs
            + ",\"cpu_secs\":" + cpuSecs + "}");

        try (FSDirectory fs = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(fs)) {
            IndexSearcher s = new IndexSearcher(reader);
            for (String q : queries) {
                if (q.isEmpty()) continue;
                // Untimed warm-up, which also records the hit count.
                Query warm = build(analyzer, s, q);
                long hits = s.count(warm);
                List<Long> samples = new ArrayList<>();
                long spent = 0;
                for (int i = 0; i < reps; i++) {
                    long t = System.nanoTime();
                    Query query = build(analyzer, s, q);
                    TopDocs top = s.search(query, 10);
                    long sum = 0;
                    for (ScoreDoc sd : top.scoreDocs) {
                        sum += s.doc(sd.doc).getField("id").numericValue().longValue();
                    }
                    long dt = System.nanoTime() - t;
                    if (sum == -1) System.err.print("");
                    samples.add(dt / 1000);
                    spent += dt;
                    if (spent > budgetNs && samples.size() >= 3) break;
                }
                StringBuilder b = new StringBuilder("{\"kind\":\"query\",\"q\":");
                b.append(json(q)).append(",\"hits\":").append(hits).append(",\"us\":[");
                for (int i = 0; i < samples.size(); i++) {
                    if (i > 0) b.append(',');
                    b.append(samples.get(i));
                }
                System.out.println(b.append("]}"));
            }
        }
    }
}
