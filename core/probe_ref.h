/* The probe reference: every probe type's parameters and metrics, read from the probe table
 * itself (`hostdoctor list --probes`, the generated hostdoctor-probes(7)), so it cannot drift. */
#pragma once

#include <stdio.h>

#include "probe.h"

/* The parameter's type as the reference prints it ("integer", "one of free|listening"...);
 * BUF holds the text when it is built. */
const char *hd_param_type_text(const struct hd_param *p, char *buf, size_t size);

/* Every probe of TABLE as text for a person, or as one JSON document for programs. */
void hd_probe_ref_text(FILE *out, const struct hd_probe *const *table);
void hd_probe_ref_json(FILE *out, const struct hd_probe *const *table);
