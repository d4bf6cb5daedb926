"""The working-day calendar (工作日): holidays, working days and their administration."""
