# Tabs between a command's arguments.
Connect-AzAccount -Tenant	$tenantId	-Identity
