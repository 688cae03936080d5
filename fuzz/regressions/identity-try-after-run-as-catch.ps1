try { } catch { Connect-AzAccount -ServicePrincipal -CertificateThumbprint $t }
try { Connect-AzAccount -Identity } catch { throw }
