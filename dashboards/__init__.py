"""The Streamlit dashboard, installed as ``qcaudit.dashboards``; ``app.py`` is the script
``qcaudit dashboard`` hands to ``streamlit run``."""
