# expect: none
# why: Requests to the identity endpoints whose responses are thrown away ([void], $null =, | Out-Null, > $null) only probe which sign-in the worker supports; the real sign-in is Connect-AzAccount -Identity, with a credential fallback.
param(
    [string] $FallbackCredentialName = 'AutomationFallback'
)

Disable-AzContextAutosave -Scope Process | Out-Null

function Test-ImdsIdentity {
    $imds = 'http://169.254.169.254/metadata/identity/oauth2/token?resource=https://management.azure.com/'
    try {
        Invoke-RestMethod -Uri "$imds&api-version=2019-08-01" -Headers @{ Metadata = 'true' } -TimeoutSec 3 | Out-Null
        return $true
    } catch {
        # Older agents only know the first API version.
    }
    try {
        Invoke-RestMethod -Uri "$imds&api-version=2018-02-01" -Headers @{ Metadata = 'true' } -TimeoutSec 3 > $null
        return $true
    } catch {
        return $false
    }
}

$identityAvailable = $false
if ($env:IDENTITY_ENDPOINT) {
    $probeUri = "$($env:IDENTITY_ENDPOINT)?resource=https://management.azure.com/&api-version=2019-08-01"
    try {
        [void](Invoke-RestMethod -Uri $probeUri -Headers @{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER } -TimeoutSec 10)
        $identityAvailable = $true
    } catch {
        Write-Warning "Identity endpoint did not answer: $($_.Exception.Message)"
    }
} elseif ($env:MSI_ENDPOINT) {
    try {
        $null = Invoke-WebRequest -UseBasicParsing -Uri "$($env:MSI_ENDPOINT)?resource=https://management.azure.com/&api-version=2017-09-01" -Headers @{ Secret = $env:MSI_SECRET }
        $identityAvailable = $true
    } catch {
        Write-Warning "MSI endpoint did not answer: $($_.Exception.Message)"
    }
} else {
    $identityAvailable = Test-ImdsIdentity
}

if ($identityAvailable) {
    Connect-AzAccount -Identity | Out-Null
} else {
    $credential = Get-AutomationPSCredential -Name $FallbackCredentialName
    Connect-AzAccount -Credential $credential | Out-Null
}
Get-AzContext | Select-Object -ExpandProperty Subscription | Write-Output
