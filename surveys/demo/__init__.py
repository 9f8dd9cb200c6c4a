"""The demo world, seeded by `manage.py seed_demo` in this order: `people` (organisations, members, staff),
`questionnaires` (the milepost catalogue and the 2024–2026 surveys), `submissions` (approved 2024 and 2025
answers made by `answer_generator` to reproduce the published figures, the open 2026 cycle in progress).
"""
