-- the sample plugin's own table
CREATE TABLE sample_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)
