"""Registry (peserta): participants, NIK rules, the roster import pipeline and de-duplication."""
