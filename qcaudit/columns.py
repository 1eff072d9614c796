"""The names of the columns qcaudit gives a dataset's rows as it reads them: a row's
position (``row_id``), its text and what became of it (``text_status``), its category, and
the parts an analyzer may ask for besides the text (:data:`qcaudit.io.PARTS`)."""

ROW_ID = "row_id"
INPUT_ROW_ID = "input_row_id"
TEXT = "text"
TEXT_STATUS = "text_status"
CATEGORY = "category"
PROMPT, RESPONSE, CHOSEN, REJECTED = "prompt", "response", "chosen", "rejected"
#: The response as ``--no-reasoning`` reads it: a reasoning model's answer without the
#: reasoning it wrote before it (the response holds both unless ``--no-reasoning``).
RESPONSE_ANSWER = "response_answer"
#: Whether a row's response is desirable, as unpaired preference data labels it (KTO's):
#: true, false, or null for no label.
DESIRABLE = "desirable"
#: The ratings a preference pair's data gives its chosen and rejected answers (UltraFeedback
#: binarized's ``score_chosen`` and ``score_rejected``).
CHOSEN_RATING, REJECTED_RATING = "chosen_rating", "rejected_rating"
#: A chat's system turns, which its text leaves out (:data:`qcaudit.text_columns.SETUP_ROLES`):
#: the part the contamination analyzer's lexical methods read with the text.
SETUP = "setup"
