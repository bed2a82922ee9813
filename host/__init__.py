"""The Flask host (projects, tasks, annotations, media); built in the host issue."""
