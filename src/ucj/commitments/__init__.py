"""Regional commitments to Universal Coverage Jamsostek (issue 13): regulations, budget commitments with
computed realisation, village institutions, ecosystem units, follow-up actions and the scorecard."""
