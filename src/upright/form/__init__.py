"""form layer: exercise definitions, body-line geometry, per-second verdicts, holds, reps."""
