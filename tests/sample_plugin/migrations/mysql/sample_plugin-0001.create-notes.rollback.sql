DROP TABLE sample_notes
