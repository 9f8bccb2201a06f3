// Module LabReport.
