"""The final text as a Hugging Face dataset, and takedowns of a source from shards and .seq files."""
