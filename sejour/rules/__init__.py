"""The legal calendar of residence permits (CESEDA), in pure Python with no Django import."""
