"""Staff-written knowledge: loading and validating ``knowledge/``, and hybrid search over it.

entry     the entry model
loader    reads and validates the files; a bad file is reported, never fatal
text      tokenization for the lexical index (English words, Jieba for Chinese)
embedder  sentence embeddings (sentence-transformers; a hashing fake for tests)
index     the hybrid index: FAISS (dense) + BM25 (lexical), fused by rank
base      the live knowledge base: cached index on disk, reload when files change
"""
