"""A minimal record→record stage used to test the contract end to end (run as a real script)."""


from lion1b.contract import Drop, MapStage, run_map_stage


class LengthStage(MapStage):
    """Keeps texts of at least --min-chars characters and records their length."""

    name = "length"
    default_output = "data/length_thread{T}.txt"

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument("--min-chars", type=int, default=5)
        parser.add_argument("--sleep-per-record", type=float, default=0.0)

    def process(self, record):
        if self.args.sleep_per_record:
            import time

            time.sleep(self.args.sleep_per_record)
        if len(record["text"]) < self.args.min_chars:
            return Drop("too_short")
        self.count("chars", len(record["text"]))
        return {**record, "n_chars": len(record["text"])}


if __name__ == "__main__":
    run_map_stage(LengthStage, description=__doc__)
